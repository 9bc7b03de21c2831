import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A one-use admin request token already seen: the SHA-256 of its `jti`, kept until its `exp`. */
export class AdminRequestJti extends Model<InferAttributes<AdminRequestJti>, InferCreationAttributes<AdminRequestJti>> {
  declare id: CreationOptional<number>;
  declare jtiHash: string;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        jtiHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'admin_request_jtis', underscored: true, updatedAt: false },
    );
  }
}
